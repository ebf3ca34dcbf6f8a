"""Run famous public legacy Keras 1/2 and tf.keras 2.x scripts and notebooks, unmodified.

A developer tool, not part of CI. For every pin in ``tools/public_scripts.toml`` (repository,
commit, path) and every target it reports ``pass`` or the first failing line
(``file:line: ExceptionType: message``):

* ``kfitcompat``: ``import kfitcompat; kfitcompat.install()`` before the script;
* ``keras3``: plain Keras 3, nothing patched;
* ``tf_keras``: the legacy Keras 2 package as the oracle (``TF_USE_LEGACY_KERAS=1`` and
  ``sys.modules['keras']`` aliased to ``tf_keras``, with its submodules; Keras 2.2.4 public
  modules that tf_keras only keeps privately, e.g. ``keras.utils.np_utils``, resolve to
  ``tf_keras.src.*``).

Each run extracts the files from a local mirror (``tools/mirrors.py``) into a temporary folder
and runs them in a fresh subprocess (notebooks: ``nbclient`` with an ``ipykernel`` kernel). A
prelude, applied after the target, replaces downloads by generated data of the same shapes and
dtypes (``keras.datasets.*.load_data``; ``get_file`` raises unless the pin provides the archive,
or the file is the ImageNet weights of a ``keras.applications`` model: then a stand-in of random
weights in Keras 2's HDF5 layout, built by the target's Keras),
and caps the work: ``epochs``/``nb_epoch`` to 1 and the step and sample counts to small values, by
wrapping the model methods at the class level (History lists are padded back to the requested
number of epochs, so that scripts plotting ``range(epochs)`` still run). Image folders and CSV files
are generated from the pin's recipe; absolute data paths (``/Users/...``) are bound in a
private mount namespace (``unshare -m``, root). Notebook failures are reported as
``file.ipynb:cell N:line L`` with N the cell's index in the notebook (markdown cells count).
``--extra-prelude FILE`` runs a file after the target, to see what fails after a fix.
One script at a time::

    python tools/public_scripts.py --markdown /tmp/public_scripts.md --json /tmp/ps.json
    python tools/public_scripts.py --only unet-membrane --target kfitcompat --keep
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import importlib
import importlib.abc
import importlib.util
import io
import json
import numbers
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
import traceback
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOOLS = Path(__file__).resolve().parent
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))

from mirrors import MirrorError, default_root, extract, find_mirror  # noqa: E402
from public_tables import write_file, write_table  # noqa: E402

TARGETS = ("kfitcompat", "keras3", "tf_keras", "migrated", "kfitcompat-run")
# "migrated": `kfitcompat migrate --write`, then plain Keras 3; "kfitcompat-run": scripts run
# through `kfitcompat run`'s own runner (kfitcompat.run.run_script: __main__, argv, exit
# status), notebooks with a `%load_ext kfitcompat` first cell; the harness installs first
# (as for "kfitcompat") so that its epoch and step caps wrap the legacy methods
DEFAULT_TARGETS = TARGETS[:3]
PINS = TOOLS / "public_scripts.toml"
HARNESS = "_harness"
RESULT_ENV = "KFC_PUBLIC_RESULT"
PRELUDE_ENV = "KFC_PUBLIC_PRELUDE"
MESSAGE_WIDTH = 160


# ---------------------------------------------------------------------------------------------
# The pin list


@dataclass
class Pin:
    """One public script or notebook, at a commit, with the data it needs."""

    name: str
    repo: str
    commit: str
    path: str
    extra: list[str] = field(default_factory=list)
    run_dir: str = "."
    images: list[dict[str, Any]] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)  # tools/public_tables.py
    files: list[dict[str, Any]] = field(default_factory=list)
    argv: list[str] = field(default_factory=list)  # the script's command-line arguments
    note: str = ""
    keras_json: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def is_notebook(self) -> bool:
        return self.path.endswith(".ipynb")


def load_pins(path: Path = PINS) -> list[Pin]:
    with path.open("rb") as f:
        data = tomllib.load(f)
    defaults = data.get("defaults", {})
    pins = []
    for entry in data["scripts"]:
        entry = dict(entry)
        settings = {k: entry.pop(k, v) for k, v in defaults.items()}
        pins.append(Pin(settings=settings, **entry))
    return pins


# ---------------------------------------------------------------------------------------------
# Preparing a run folder: extracted files and generated data


def prepare(pin: Pin, base: Path, mirrors: Path | None) -> None:
    """Extract the pin's files and generate its data below ``base``."""
    git_dir = find_mirror(pin.repo, mirrors)
    extract(git_dir, pin.commit, [pin.path, *pin.extra], base / "src")
    (base / "src" / pin.run_dir).mkdir(parents=True, exist_ok=True)
    rng = random.Random(pin.name)
    for spec in pin.images:
        generate_images(spec, image_root(base, spec), rng)
    for spec in pin.tables:
        write_table(spec, data_path(base, spec["path"]), rng)
    for spec in pin.files:
        write_file(spec, data_path(base, spec["path"]))
    build_archives(pin, base)
    if pin.keras_json:  # the user's ~/.keras/keras.json, as the script asks (HOME, KERAS_HOME)
        config = base / "home" / ".keras" / "keras.json"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(json.dumps(pin.keras_json, indent=4))


def image_root(base: Path, spec: dict[str, Any]) -> Path:
    """Where a spec's ``dir`` is generated (absolute dirs go below ``root/``, bound later)."""
    if "archive" in spec:
        return base / "archives" / spec["archive"] / spec["dir"]
    return data_path(base, spec["dir"])


def data_path(base: Path, path: str) -> Path:
    """A recipe path: relative to the extraction root, ``~/`` (the run's HOME) or absolute
    (generated below ``root/`` and bound at its place in a private mount namespace)."""
    if path.startswith("~/"):
        return base / "home" / path[2:]
    if path.startswith("/"):
        return base / "root" / path.lstrip("/")
    return base / "src" / path


def generate_images(spec: dict[str, Any], root: Path, rng: random.Random) -> None:
    width, height = spec.get("size", [64, 64])
    mode = spec.get("mode", "RGB")
    rows: list[tuple[str, str]] = []
    for cls in spec["classes"]:
        folder = root if spec.get("flat") or not cls else root / cls
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(spec["count"]):
            uid = hashlib.sha1(f"{spec['dir']}/{cls}/{i}".encode()).hexdigest()[:32]
            fname = spec["pattern"].format(cls=cls, i=i, uid=uid)
            smooth_image(rng, mode, width, height).save(folder / fname)
            rows.append((fname, spec.get("y_const", cls)))
    if "csv" in spec:
        write_csv(root, spec, rows, rng)


def smooth_image(rng: random.Random, mode: str, width: int, height: int) -> Any:
    """A random low-frequency picture: compresses like a photo, decodes to the asked size."""
    from PIL import Image

    channels = 1 if mode == "L" else 3
    small = bytes(rng.randrange(256) for _ in range(8 * 6 * channels))
    return Image.frombytes(mode, (8, 6), small).resize((width, height), Image.BILINEAR)


def write_csv(root: Path, spec: dict[str, Any], rows: list[tuple[str, str]],
              rng: random.Random) -> None:
    rows = list(rows)
    rng.shuffle(rows)
    path = csv_path(root, spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{spec['x_col']},{spec['y_col']}"] + [f"{x},{y}" for x, y in rows]
    path.write_text("\n".join(lines) + "\n")


def csv_path(root: Path, spec: dict[str, Any]) -> Path:
    """The CSV path is relative to the extraction root, like ``dir``."""
    depth = len(Path(spec["dir"]).parts)
    return root.parents[depth - 1] / spec["csv"]


def build_archives(pin: Pin, base: Path) -> None:
    """Zip each generated archive tree into the keras cache (``home/.keras/datasets``)."""
    cache = base / "home" / ".keras" / "datasets"
    cache.mkdir(parents=True, exist_ok=True)
    for name in sorted({spec["archive"] for spec in pin.images if "archive" in spec}):
        tree = base / "archives" / name
        with zipfile.ZipFile(cache / name, "w") as zf:
            for file in sorted(tree.rglob("*")):
                zf.write(file, file.relative_to(tree).as_posix())


def archive_names(pin: Pin) -> list[str]:
    return sorted({spec["archive"] for spec in pin.images if "archive" in spec})


def mount_tops(pin: Pin) -> list[str]:
    """Top-level folders (``/Users``) that absolute image dirs need bound in a namespace."""
    paths = [spec["dir"] for spec in pin.images if "archive" not in spec]
    paths += [spec["path"] for spec in [*pin.tables, *pin.files]]
    return sorted({"/" + Path(p).parts[1] for p in paths if p.startswith("/")})


# ---------------------------------------------------------------------------------------------
# Running one pin under one target


@dataclass
class Outcome:
    """The result of one (script, target) run."""

    name: str
    target: str
    status: str  # "pass" or "fail"
    where: str = ""  # file:line (notebooks: file:cell N:line L)
    error: str = ""  # ExceptionType: message (one line, shortened)
    code: str = ""  # the failing source line
    seconds: float = 0.0

    def line(self) -> str:
        if self.status == "pass":
            return "pass"
        return f"{self.where}: {self.error}" if self.where else self.error


def run_pin(pin: Pin, target: str, template: Path, keep: bool) -> Outcome:
    work = Path(tempfile.mkdtemp(prefix=f"kfc-{pin.name}-{target}-"))
    try:
        shutil.copytree(template, work, dirs_exist_ok=True, symlinks=True)
        return run_in(pin, target, work)
    finally:
        if keep:
            print(f"  kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def run_in(pin: Pin, target: str, work: Path) -> Outcome:
    result = work / HARNESS / "result.json"
    result.parent.mkdir(exist_ok=True)
    cwd = work / "src" / pin.run_dir
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child",
           os.path.relpath(work / "src" / pin.path, cwd)]
    cmd = with_mounts(pin, work, cmd)
    timeout = pin.settings["timeout"]
    if target == "migrated":  # the script rewritten to native Keras 3, run without kfitcompat
        migrated = migrate_in_place(work / "src" / pin.path, work / "src" / Path(pin.path).parent)
        if migrated is not None:
            return Outcome(pin.name, target, "fail", pin.path, migrated)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, env=child_env(pin, target, work, result),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    log = work / HARNESS / "output.log"
    output, timed_out = wait(proc, timeout)
    log.write_bytes(output)
    seconds = time.monotonic() - started
    return read_outcome(pin, target, result, proc.returncode, output, timed_out, seconds)


def migrate_in_place(script: Path, root: Path) -> str | None:
    """``kfitcompat migrate --write --target keras3 --augment-layers`` on the extracted copy
    of the pin's repository folder (a script's own modules are migrated too); an error line,
    or None. The migrated code may import ``kfitcompat.image`` (what migrate writes for an
    ImageDataGenerator with no Keras 3 layer counterpart), never ``kfitcompat.install()``."""
    done = subprocess.run([sys.executable, "-m", "kfitcompat", "migrate", "--write",
                           "--target", "keras3", "--augment-layers", str(root)],
                          capture_output=True, text=True, check=False)
    if done.returncode not in (0, 123):  # 123: a file of the folder could not be migrated
        return f"migrate failed: {done.stderr.strip().splitlines()[-1:]}"
    for path in [script, *root.rglob("*.py")]:
        text = path.read_text(encoding="utf-8", errors="replace")
        # code, not the `# kfitcompat:` notes migrate leaves (which may name install())
        if re.search(r"^[^#\n]*(\bimport\s+kfitcompat\b|kfitcompat\.install\()", text, re.M):
            return f"the migrated {path.name} still uses kfitcompat.install()"
    return None


def wait(proc: subprocess.Popen[bytes], timeout: float) -> tuple[bytes, bool]:
    try:
        out, _ = proc.communicate(timeout=timeout)
        return out, False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return out, True


def with_mounts(pin: Pin, work: Path, cmd: list[str]) -> list[str]:
    """Bind generated trees at their absolute paths, in a private mount namespace."""
    tops = mount_tops(pin)
    if not tops:
        return cmd
    pairs: list[str] = []
    for top in tops:
        pairs += [str(work / "root" / top.lstrip("/")), top]
    script = ('while [ "$1" != -- ]; do mount --bind "$1" "$2" || exit 97; shift 2; done; '
              'shift; exec "$@"')
    return ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh",
            *pairs, "--", *cmd]


CREATED_MOUNTPOINTS: list[str] = []


def ensure_mountpoints(pins: list[Pin]) -> None:
    """An empty host folder per top (e.g. ``/Users``) to bind over; removed at the end."""
    for top in sorted({t for pin in pins for t in mount_tops(pin)}):
        if not os.path.exists(top):
            os.mkdir(top)
            CREATED_MOUNTPOINTS.append(top)


def remove_mountpoints() -> None:
    for top in CREATED_MOUNTPOINTS:
        try:
            os.rmdir(top)
        except OSError as exc:
            print(f"could not remove {top}: {exc}", file=sys.stderr)


def child_env(pin: Pin, target: str, work: Path, result: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_USE_LEGACY", "KERAS"))}
    home = work / "home"
    env.update(TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="", MPLBACKEND="Agg",
               HOME=str(home), KERAS_HOME=str(home / ".keras"), KERAS_BACKEND="tensorflow",
               PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1")
    # the script's folder (as `python script.py` puts it first), then the repository's root:
    # a repository's own package (`framework/`, `keras_batchflow/`) importable as if
    # installed with `pip install -e .`, as its users run it
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(work / "src" / Path(pin.path).parent), str(work / "src"),
                    env.get("PYTHONPATH")) if p)
    if target == "tf_keras":
        env["TF_USE_LEGACY_KERAS"] = "1"
    env[RESULT_ENV] = str(result)
    env[PRELUDE_ENV] = json.dumps({
        "target": target, "archives": archive_names(pin),
        "files": [str(work / "src")], "argv": pin.argv, **pin.settings})
    return env


def read_outcome(pin: Pin, target: str, result: Path, returncode: int | None, output: bytes,
                 timed_out: bool, seconds: float) -> Outcome:
    base = Outcome(pin.name, target, "fail", seconds=round(seconds, 1))
    if timed_out:
        base.error = f"Timeout: no result after {pin.settings['timeout']} s"
        return base
    if not result.is_file():
        tail = output.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        base.error = shorten(f"exit code {returncode}: {tail[0]}")
        return base
    data = json.loads(result.read_text())
    work = str(result.parent.parent)
    error = shorten(data.get("error", "").replace(work, "$WORK"))  # the temporary folder
    return Outcome(pin.name, target, data["status"], data.get("where", ""), error,
                   data.get("code", ""), round(seconds, 1))


def shorten(text: str, width: int = MESSAGE_WIDTH) -> str:
    text = re.sub(r"\s+", " ", text.strip())
    text = re.sub(r" \((?:/[^ )]+)+\.py\)", "", text)  # ImportError's "(/site-packages/...py)"
    return text if len(text) <= width else text[: width - 3] + "..."


# ---------------------------------------------------------------------------------------------
# Inside the child process: the prelude, then the script or the notebook


def child_main(script: str) -> None:
    result = Path(os.environ[RESULT_ENV])
    config = json.loads(os.environ[PRELUDE_ENV])
    if script.endswith(".ipynb"):
        outcome = run_notebook(Path(script), config)
    else:
        outcome = run_script(Path(script), config)
    result.write_text(json.dumps(outcome))
    sys.stdout.flush()
    os._exit(0)  # loader threads or processes a failing script left behind do not block


def run_script(script: Path, config: dict[str, Any]) -> dict[str, str]:
    import runpy

    sys.argv = [str(script), *config.get("argv", [])]
    sys.path[0] = str(script.parent.resolve())
    try:
        apply_prelude(config)
        if config["target"] == "kfitcompat-run":  # what `kfitcompat run script.py` runs
            from kfitcompat.run import run_script as kfitcompat_run

            with _TeeStderr() as printed:
                status = kfitcompat_run(str(script), list(config.get("argv", [])))
            if status != 0:
                return printed_failure(printed.getvalue(), config) or {
                    "status": "fail", "error": f"kfitcompat run exited {status} (its "
                    "traceback is in the run's output)"}
            return {"status": "pass"}
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exc:
        if exc.code in (None, 0):
            return {"status": "pass"}
        return failure(exc, config)
    except BaseException as exc:  # noqa: BLE001 - any failure of the script is the report
        return failure(exc, config)
    return {"status": "pass"}


def failure(exc: BaseException, config: dict[str, Any]) -> dict[str, str]:
    roots = [str(Path(p).resolve()) for p in config["files"]]
    frames = [f for f in traceback.extract_tb(exc.__traceback__)  # not Cython's (h5f.pyx)
              if f.filename.endswith((".py", ".ipynb"))
              and any(str(Path(f.filename).resolve()).startswith(r) for r in roots)]
    error = shorten(f"{type(exc).__name__}: {first_line(exc)}")
    traceback.print_exception(exc)
    if not frames:
        return {"status": "fail", "error": error}
    frame = frames[-1]
    where = f"{os.path.relpath(frame.filename, roots[0])}:{frame.lineno}"
    return {"status": "fail", "where": where, "error": error, "code": (frame.line or "").strip()}


class _TeeStderr(io.StringIO):
    """Copies what is written to ``sys.stderr`` while active (the traceback that
    ``kfitcompat run`` prints), still writing it through."""

    def __enter__(self) -> _TeeStderr:
        self._saved = sys.stderr
        sys.stderr = self
        return self

    def __exit__(self, *exc: object) -> None:
        sys.stderr = self._saved

    def write(self, text: str) -> int:
        self._saved.write(text)
        return super().write(text)


TRACEBACK_FRAME = re.compile(r'^  File "(?P<file>[^"]+)", line (?P<line>\d+)')


def printed_failure(text: str, config: dict[str, Any]) -> dict[str, str] | None:
    """The failing line of the last traceback in ``text`` (as ``kfitcompat run`` prints it):
    the deepest frame inside the run's files, and the exception's first line."""
    start = text.rfind("Traceback (most recent call last):")
    if start < 0:
        return None
    lines = text[start:].splitlines()
    roots = [str(Path(p).resolve()) for p in config["files"]]
    where, code = "", ""
    for index, line in enumerate(lines):
        match = TRACEBACK_FRAME.match(line)
        if match and any(str(Path(match["file"]).resolve()).startswith(r) for r in roots):
            where = f"{os.path.relpath(match['file'], roots[0])}:{match['line']}"
            following = lines[index + 1] if index + 1 < len(lines) else ""
            code = "" if following.startswith("  File ") else following.strip()
    errors = [line for line in lines[1:] if line and not line.startswith(" ")]
    error = shorten(errors[-1]) if errors else "kfitcompat run exited 1"
    return {"status": "fail", "where": where, "error": error, "code": code}


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


def run_notebook(path: Path, config: dict[str, Any]) -> dict[str, str]:
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # the stored counts would be taken for ours in the traceback
        if cell.cell_type == "code":
            cell.execution_count, cell.outputs = None, []
    if config["target"] == "kfitcompat-run":
        nb.cells.insert(0, nbformat.v4.new_code_cell("%load_ext kfitcompat"))
    prelude = (f"import sys; sys.path.insert(0, {str(TOOLS)!r})\n"
               "import public_scripts as _kfc_public\n"
               f"_kfc_public.apply_prelude({json.dumps(config)!r})")
    nb.cells.insert(0, nbformat.v4.new_code_cell(prelude))
    client = nbclient.NotebookClient(nb, timeout=config["timeout"], kernel_name="python3",
                                     resources={"metadata": {"path": str(Path.cwd())}})
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError:
        return notebook_failure(path, nb, 2 if config["target"] == "kfitcompat-run" else 1)
    except Exception as exc:  # noqa: BLE001 - kernel death, timeout: the report says which
        return {"status": "fail", "error": shorten(f"{type(exc).__name__}: {first_line(exc)}")}
    return {"status": "pass"}


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def notebook_failure(path: Path, nb: Any, added: int) -> dict[str, str]:
    """The failing cell, numbered as in the notebook (``added`` cells were put first)."""
    counts = {c.get("execution_count"): i - added for i, c in enumerate(nb.cells)
              if c.cell_type == "code"}
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return cell_error(path, nb, index - added, out, counts, added)
    return {"status": "fail", "error": "CellExecutionError without an error output"}


def cell_error(path: Path, nb: Any, index: int, out: Any,
               counts: dict[Any, int], added: int) -> dict[str, str]:
    text = ANSI.sub("", "\n".join(out.get("traceback", [])))
    print(text)
    evalue = out.get("evalue", "").strip()
    error = shorten(f"{out['ename']}: {evalue.splitlines()[0] if evalue else ''}")
    cell, line = index, None
    for match in re.finditer(r"Cell In\[(\d+)\], line (\d+)", text):
        cell, line = counts.get(int(match.group(1)), index), int(match.group(2))
    where = f"{path.name}:cell {cell}" + (f":line {line}" if line else "")
    code = ""
    if line and 0 <= cell + added < len(nb.cells):
        lines = nb.cells[cell + added].source.splitlines()
        code = lines[line - 1].strip() if line <= len(lines) else ""
    return {"status": "fail", "where": where, "error": error, "code": code}


# ---------------------------------------------------------------------------------------------
# The prelude: the target, generated datasets, no downloads, capped work


def apply_prelude(config: dict[str, Any] | str) -> None:
    """Apply the target, then the data and work patches (in the script's own process)."""
    if isinstance(config, str):
        config = json.loads(config)
    target = config["target"]
    if target == "tf_keras":
        alias_keras_to_tf_keras()
    elif target in ("kfitcompat", "kfitcompat-run"):  # -run: installed first so the caps wrap
        import kfitcompat

        kfitcompat.install()
    if config.get("extra_prelude"):
        import runpy

        runpy.run_path(config["extra_prelude"], run_name="__kfc_extra_prelude__")
    patch_datasets(target, config)
    patch_get_file(target, set(config.get("archives", [])))
    cap_model_methods(target, config)


class _KerasAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """``import keras.x.y`` gives ``tf_keras.x.y`` (or ``tf_keras.src.x.y``), one module object."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "keras" and not name.startswith("keras."):
            return None
        real = self._real(name)
        if real is None:
            return None
        return importlib.util.spec_from_loader(name, self, is_package=hasattr(real, "__path__"))

    @staticmethod
    def _real(name: str) -> Any:
        try:
            return importlib.import_module("tf_keras" + name[len("keras"):])
        except ImportError:
            return None

    def create_module(self, spec: Any) -> Any:
        return self._real(spec.name)

    def exec_module(self, module: Any) -> None:
        return None


class _TfKerasSrcFallback(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Last resort for ``tf_keras.x`` that tf_keras no longer exports but Keras 2.2.4 had as a
    public module (``keras.utils.np_utils``, ``keras.layers.convolutional``): ``tf_keras.src.x``.
    """

    @staticmethod
    def _source(name: str) -> str:
        return "tf_keras.src" + name[len("tf_keras"):]

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if not name.startswith("tf_keras.") or name.startswith("tf_keras.src"):
            return None
        try:
            spec = importlib.util.find_spec(self._source(name))
        except ImportError:
            return None
        if spec is None:
            return None
        package = spec.submodule_search_locations is not None
        return importlib.util.spec_from_loader(name, self, is_package=package)

    def create_module(self, spec: Any) -> Any:
        return importlib.import_module(self._source(spec.name))

    def exec_module(self, module: Any) -> None:
        return None


def alias_keras_to_tf_keras() -> None:
    import tf_keras

    for name in [n for n in sys.modules if n == "keras" or n.startswith("keras.")]:
        del sys.modules[name]
    sys.meta_path.insert(0, _KerasAlias())
    sys.meta_path.append(_TfKerasSrcFallback())
    sys.modules["keras"] = tf_keras


def dataset_modules(target: str, name: str) -> list[str]:
    if target == "tf_keras":
        return [f"tf_keras.datasets.{name}", f"tf_keras.src.datasets.{name}",
                f"tf_keras.api._v2.keras.datasets.{name}"]
    return [f"keras.datasets.{name}", f"keras.src.datasets.{name}",
            f"keras._tf_keras.keras.datasets.{name}"]


def patch_datasets(target: str, config: dict[str, Any]) -> None:
    fakes = fake_datasets(config["train_samples"], config["test_samples"])
    for name, funcs in fakes.items():
        for module_name in dataset_modules(target, name):
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
            for attr, func in funcs.items():
                setattr(module, attr, func)


def fake_datasets(n_train: int, n_test: int) -> dict[str, dict[str, Callable[..., Any]]]:
    images = functools.partial(fake_images, n_train, n_test)
    words = functools.partial(fake_sequences, n_train, n_test)
    return {
        "mnist": {"load_data": lambda *a, **k: images((28, 28), 10, ())},
        "fashion_mnist": {"load_data": lambda *a, **k: images((28, 28), 10, ())},
        "cifar10": {"load_data": lambda *a, **k: images((32, 32, 3), 10, (1,))},
        "cifar100": {"load_data": lambda label_mode="fine", **k: images(
            (32, 32, 3), 100 if label_mode == "fine" else 20, (1,))},
        "imdb": {"load_data": lambda *a, **k: words(2, *a, **k),
                 "get_word_index": fake_word_index},
        "reuters": {"load_data": lambda *a, **k: words(46, *a, **k),
                    "get_word_index": fake_word_index},
        "boston_housing": {"load_data": lambda *a, **k: fake_regression(n_train, n_test)},
    }


def fake_images(n_train: int, n_test: int, shape: tuple[int, ...], classes: int,
                label_shape: tuple[int, ...]) -> Any:
    import numpy as np

    rng = np.random.default_rng(0)

    def part(n: int) -> tuple[Any, Any]:
        x = rng.integers(0, 256, (n, *shape), dtype=np.uint8)
        y = (np.arange(n) % classes).astype(np.uint8)
        rng.shuffle(y)
        return x, y.reshape((n, *label_shape))

    return part(n_train), part(n_test)


def fake_sequences(n_train: int, n_test: int, classes: int, path: str = "",
                   num_words: int | None = None, skip_top: int = 0, maxlen: int | None = None,
                   seed: int = 113, start_char: int = 1, oov_char: int = 2, index_from: int = 3,
                   **kwargs: Any) -> Any:
    import numpy as np

    rng = np.random.default_rng(seed)
    top = num_words or 10000
    low = max(skip_top, index_from + 1)
    longest = (maxlen - 1) if maxlen else 200

    def part(n: int) -> tuple[Any, Any]:
        seqs = np.empty(n, dtype=object)
        for i in range(n):
            length = int(rng.integers(min(10, longest), longest + 1))
            seqs[i] = [start_char] + rng.integers(low, top, length - 1).tolist()
        y = (np.arange(n) % classes).astype(np.int64)
        rng.shuffle(y)
        return seqs, y

    return part(n_train), part(n_test)


def fake_word_index(*args: Any, **kwargs: Any) -> dict[str, int]:
    return {f"word{i}": i for i in range(1, 10001)}


def fake_regression(n_train: int, n_test: int) -> Any:
    import numpy as np

    rng = np.random.default_rng(0)
    return ((rng.random((n_train, 13)) * 100, rng.random(n_train) * 50),
            (rng.random((n_test, 13)) * 100, rng.random(n_test) * 50))


def get_file_modules(target: str) -> list[str]:
    if target == "tf_keras":
        return ["tf_keras.utils", "tf_keras.src.utils.data_utils", "tf_keras.api._v2.keras.utils"]
    return ["keras.utils", "keras.src.utils.file_utils", "keras._tf_keras.keras.utils"]


def patch_get_file(target: str, allowed: set[str]) -> None:
    for module_name in get_file_modules(target):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        original = getattr(module, "get_file", None)
        if original is not None and not getattr(original, "_kfc_guard", False):
            module.get_file = guarded_get_file(original, allowed, target)


# The ImageNet weight files keras.applications downloads -> (application, include_top). The
# runner writes a stand-in of random weights in Keras 2's HDF5 layout, built by the target's own
# Keras with weights=None, so the script goes on to what it does with the model.
APPLICATION_WEIGHTS = (
    (r"vgg16_weights_tf_dim_ordering_tf_kernels(_notop)?\.h5", "VGG16"),
    (r"vgg19_weights_tf_dim_ordering_tf_kernels(_notop)?\.h5", "VGG19"),
    (r"resnet50_weights_tf_dim_ordering_tf_kernels(_notop)?\.h5", "ResNet50"),
    (r"xception_weights_tf_dim_ordering_tf_kernels(_notop)?\.h5", "Xception"),
    (r"inception_v3_weights_tf_dim_ordering_tf_kernels(_notop)?\.h5", "InceptionV3"),
    (r"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1\.0_224(_no_top)?\.h5", "MobileNetV2"),
)


def stand_in_weights(fname: str, target: str) -> str | None:
    """The path of a generated stand-in for the ImageNet weights file ``fname`` (random
    weights, Keras 2's HDF5 layout), or None for any other file."""
    for pattern, application in APPLICATION_WEIGHTS:
        found = re.fullmatch(pattern, fname)
        if found is None:
            continue
        import h5py
        import numpy as np

        keras_module = importlib.import_module("tf_keras" if target == "tf_keras" else "keras")
        model = getattr(keras_module.applications, application)(
            weights=None, include_top=found.group(1) is None)
        folder = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "models"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / fname
        with h5py.File(path, "w") as f:
            f.attrs["layer_names"] = [layer.name.encode() for layer in model.layers]
            f.attrs["backend"] = b"tensorflow"
            f.attrs["keras_version"] = b"2.2.4"
            for layer in model.layers:
                group = f.create_group(layer.name)
                names = [f"{layer.name}/w{i}:0".encode() for i in range(len(layer.weights))]
                group.attrs["weight_names"] = names
                for name, weight in zip(names, layer.weights):
                    group.create_dataset(name.decode(), data=np.asarray(weight))
        return str(path)
    return None


def guarded_get_file(original: Callable[..., Any], allowed: set[str],
                     target: str = "") -> Callable[..., Any]:
    @functools.wraps(original)
    def get_file(fname: Any = None, *args: Any, **kwargs: Any) -> Any:
        if fname is not None and os.path.basename(str(fname)) in allowed:
            return original(fname, *args, **kwargs)  # generated archive, already in the cache
        stand_in = stand_in_weights(os.path.basename(str(fname)), target) if fname else None
        if stand_in is not None:
            print(f"public_scripts: get_file({fname!r}): a stand-in of random weights",
                  file=sys.stderr)
            return stand_in
        raise RuntimeError(f"public_scripts: download blocked: get_file({fname!r}) "
                           "(no generated file for it in tools/public_scripts.toml)")

    get_file._kfc_guard = True  # type: ignore[attr-defined]
    return get_file


# Keras 2 positional order of the capped arguments (after self), and the kind of cap.
POSITIONAL = {
    "fit": {3: "epochs"},
    "fit_generator": {1: "steps", 2: "epochs", 6: "steps"},
    "evaluate_generator": {1: "steps"},
    "predict_generator": {1: "steps"},
}
KEYWORDS = {
    "epochs": "epochs", "nb_epoch": "epochs",
    "steps_per_epoch": "steps", "validation_steps": "steps", "steps": "steps",
    "samples_per_epoch": "samples", "nb_val_samples": "samples", "val_samples": "samples",
}
CAPPED = ("fit", "fit_generator", "evaluate_generator", "predict_generator", "evaluate",
          "predict")


def cap_model_methods(target: str, config: dict[str, Any]) -> None:
    if target == "tf_keras":
        import tf_keras

        model = tf_keras.Model
    else:
        import keras

        model = keras.Model
    limits = {"epochs": config["max_epochs"], "steps": config["max_steps"],
              "samples": config["max_samples"]}
    for name in CAPPED:
        if name in dir(model):
            setattr(model, name, capped(getattr(model, name), name, limits))


def capped(method: Callable[..., Any], name: str, limits: dict[str, int]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        args, kwargs, requested = cap_arguments(name, list(args), kwargs, limits)
        result = method(self, *args, **kwargs)
        if requested is not None:
            pad_history(result, requested)
        return result

    return wrapper


def cap_arguments(name: str, args: list[Any], kwargs: dict[str, Any],
                  limits: dict[str, int]) -> tuple[list[Any], dict[str, Any], int | None]:
    """Lower the epoch, step and sample counts; returns the epoch count asked for, if lowered."""
    requested = None
    start = kwargs.get("initial_epoch", 0) or 0
    for index, kind in POSITIONAL.get(name, {}).items():
        if index < len(args):
            args[index], asked = lowered(args[index], kind, limits, start)
            requested = asked if asked is not None else requested
    for key, kind in KEYWORDS.items():
        if key in kwargs:
            kwargs[key], asked = lowered(kwargs[key], kind, limits, start)
            requested = asked if asked is not None else requested
    return args, kwargs, requested


def lowered(value: Any, kind: str, limits: dict[str, int], start: int) -> tuple[Any, int | None]:
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        return value, None
    cap = limits[kind] + (start if kind == "epochs" else 0)
    if value <= cap:
        return value, None
    new = type(value)(cap)
    return new, (int(value) - start if kind == "epochs" else None)


def pad_history(result: Any, epochs: int) -> None:
    history = getattr(result, "history", None)
    if not isinstance(history, dict):
        return
    for values in history.values():
        if isinstance(values, list) and values:
            values.extend([values[-1]] * (epochs - len(values)))
    epoch = getattr(result, "epoch", None)
    if isinstance(epoch, list) and epoch:
        epoch.extend(range(epoch[-1] + 1, epoch[-1] + 1 + epochs - len(epoch)))


# ---------------------------------------------------------------------------------------------
# The report


def report_table(pins: list[Pin], targets: list[str], outcomes: list[Outcome]) -> str:
    by_key = {(o.name, o.target): o for o in outcomes}
    head = "| script | " + " | ".join(targets) + " |"
    rule = "|---|" + "---|" * len(targets)
    rows = [head, rule]
    for pin in pins:
        cells = [cell_text(by_key.get((pin.name, t))) for t in targets]
        rows.append(f"| {pin.name} | " + " | ".join(cells) + " |")
    rows.append("")
    rows.append(counts_line(pins, targets, outcomes))
    return "\n".join(rows)


def cell_text(outcome: Outcome | None) -> str:
    if outcome is None:
        return "-"
    return "pass" if outcome.status == "pass" else "fail"


def counts_line(pins: list[Pin], targets: list[str], outcomes: list[Outcome]) -> str:
    labels = {"kfitcompat": "kfitcompat", "keras3": "Keras 3", "tf_keras": "tf_keras",
              "migrated": "migrate --write, Keras 3", "kfitcompat-run": "kfitcompat run"}
    parts = []
    for target in targets:
        passed = sum(o.status == "pass" for o in outcomes if o.target == target)
        parts.append(f"{labels[target]} {passed}/{len(pins)}")
    return "Passing: " + ", ".join(parts)


def failures_text(outcomes: list[Outcome]) -> str:
    lines = []
    for outcome in outcomes:
        if outcome.status != "pass":
            code = f"\n  `{shorten(outcome.code, 100)}`" if outcome.code else ""
            lines.append(f"- {outcome.target} / {outcome.name}: {outcome.line()}{code}")
    return "\n".join(lines) or "(no failures)"


def markdown(pins: list[Pin], targets: list[str], outcomes: list[Outcome]) -> str:
    pin_lines = [f"- `{p.name}`: {p.repo} `{p.path}` at `{p.commit[:12]}` — {p.note}"
                 for p in pins]
    return "\n\n".join([
        "## Public legacy scripts", report_table(pins, targets, outcomes),
        "### First failing line per target", failures_text(outcomes),
        "### Corpus", "\n".join(pin_lines)]) + "\n"


# ---------------------------------------------------------------------------------------------
# The command line


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="run only this pin (repeatable; see --list)")
    parser.add_argument("--target", action="append", choices=TARGETS,
                        help="run only this target (repeatable; default: kfitcompat, keras3, "
                             "tf_keras; `migrated` = migrate --write, then plain Keras 3)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the outcomes as JSON")
    parser.add_argument("--markdown", type=Path, metavar="PATH", help="write a markdown report")
    parser.add_argument("--pins", type=Path, default=PINS, help="the pin list (TOML)")
    parser.add_argument("--mirrors", type=Path, help="mirror root (default: "
                        "$KFITCOMPAT_MIRRORS)")
    parser.add_argument("--timeout", type=float, help="seconds per script (default: the pins')")
    parser.add_argument("--keep", action="store_true", help="keep the temporary run folders")
    parser.add_argument("--extra-prelude", type=Path, metavar="FILE",
                        help="a Python file run after the target is applied (to try a fix "
                             "before it is in kfitcompat: what fails next?)")
    parser.add_argument("--list", action="store_true", help="list the pins and exit")
    return parser.parse_args(argv)


def selected(pins: list[Pin], only: list[str] | None) -> list[Pin]:
    if not only:
        return pins
    unknown = set(only) - {p.name for p in pins}
    if unknown:
        raise SystemExit(f"unknown pin(s): {', '.join(sorted(unknown))}")
    return [p for p in pins if p.name in only]


def run_all(pins: list[Pin], targets: list[str], args: argparse.Namespace) -> Iterator[Outcome]:
    for pin in pins:
        if args.timeout:
            pin.settings["timeout"] = args.timeout
        if args.extra_prelude:
            pin.settings["extra_prelude"] = str(args.extra_prelude.resolve())
        template = Path(tempfile.mkdtemp(prefix=f"kfc-{pin.name}-"))
        try:
            prepare(pin, template, args.mirrors)
        except MirrorError as exc:
            for target in targets:
                yield Outcome(pin.name, target, "fail", error=shorten(f"MirrorError: {exc}"))
            continue
        try:
            for target in targets:
                outcome = run_pin(pin, target, template, args.keep)
                print(f"{pin.name:38} {target:10} {outcome.seconds:6.1f}s  {outcome.line()}",
                      flush=True)
                yield outcome
        finally:
            shutil.rmtree(template, ignore_errors=True)


def outcome_records(pins: list[Pin], outcomes: list[Outcome]) -> list[dict[str, Any]]:
    by_name = {p.name: p for p in pins}
    return [{"repo": by_name[o.name].repo, "commit": by_name[o.name].commit,
             "path": by_name[o.name].path, **o.__dict__} for o in outcomes]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    pins = selected(load_pins(args.pins), args.only)
    if args.list:
        for pin in pins:
            print(f"{pin.name:38} {pin.repo} {pin.path} @ {pin.commit[:12]}")
        return 0
    targets = [t for t in TARGETS if t in (args.target or DEFAULT_TARGETS)]
    try:
        args.mirrors = args.mirrors or default_root()
    except MirrorError as exc:
        print(f"public_scripts: {exc}", file=sys.stderr)
        return 2
    ensure_mountpoints(pins)
    try:
        outcomes = list(run_all(pins, targets, args))
    finally:
        remove_mountpoints()
    print()
    print(report_table(pins, targets, outcomes))
    print()
    print(failures_text(outcomes))
    if args.json:
        args.json.write_text(json.dumps(outcome_records(pins, outcomes), indent=2) + "\n")
    if args.markdown:
        args.markdown.write_text(markdown(pins, targets, outcomes))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child_main(sys.argv[2])
    sys.exit(main())
