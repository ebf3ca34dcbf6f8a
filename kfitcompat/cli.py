"""The ``kfitcompat`` command (also ``python -m kfitcompat``).

* ``kfitcompat run script.py [args...]`` (or ``run -m module``): run a legacy script
  unmodified with ``kfitcompat.install()`` in effect.
* ``kfitcompat demo``: train a Keras 2-style script on an embedded image dataset.
* ``kfitcompat check PATH...``: list legacy Keras training code; exit 1 if any is found,
  123 if a file could not be read or parsed.
* ``kfitcompat migrate PATH... [--diff | --write | --check] [--target keras3|kfitcompat]``.
* ``kfitcompat convert OLD.h5 NEW.keras [--weights-only]``: a legacy model file as a native
  Keras 3 file.

Settings also come from ``[tool.kfitcompat]`` in ``pyproject.toml``
(``kfitcompat.migrate.config``); a flag wins over the file.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

__all__ = ["main", "version_line"]

_JOBS_HELP = "worker processes (default: the number of cores)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kfitcompat",
        description="Run legacy Keras 1/2 training code on TensorFlow + Keras 3, or migrate it.",
    )
    parser.add_argument("--version", action="store_true",
                        help="print the versions of kfitcompat, Keras and TensorFlow and exit")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("demo", help="train a Keras 2-style script on generated images",
                   add_help=False)
    run = sub.add_parser("run", help="run a legacy script unmodified under kfitcompat.install()",
                         usage="kfitcompat run script.py [args ...] | -m module [args ...]")
    run.add_argument("script", help="the script (as `python script.py`), or -m MODULE")
    run.add_argument("args", nargs=argparse.REMAINDER, help="passed to the script as sys.argv")
    sub.add_parser("version", help="print the versions")
    sub.add_parser("convert", help="write a Keras 1/2 or tf.keras .h5 file as a Keras 3 file",
                   add_help=False, usage="kfitcompat convert OLD.h5 NEW.keras [--weights-only]")
    check = sub.add_parser("check", help="report legacy Keras calls (exit 1 if any)")
    _source_options(check)
    check.add_argument("--format", choices=["text", "json", "github"], default="text",
                       help="text: one line per finding (default); json: for tools; github: "
                            "GitHub Actions annotations")
    migrate = sub.add_parser("migrate", help="rewrite legacy Keras calls")
    _source_options(migrate)
    mode = migrate.add_mutually_exclusive_group()
    mode.add_argument("--diff", action="store_true", help="print a diff (the default)")
    mode.add_argument("--write", action="store_true", help="rewrite the files in place")
    migrate.add_argument("--check", action="store_true",
                         help="with --diff: exit 1 if any file would change or anything is "
                              "left to do by hand (as black --check); 123 if a file could "
                              "not be read or parsed")
    migrate.add_argument("--target", choices=["keras3", "kfitcompat"], default=None,
                         help="keras3: native Keras 3 code (default); kfitcompat: the minimal "
                              "edit, `kfitcompat.install()`")
    migrate.add_argument("--augment-layers", action="store_true",
                         help="translate ImageDataGenerator into Keras 3 preprocessing layers "
                              "and tf.data where every argument has a counterpart")
    return parser


def _source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files or folders (.py, .ipynb); `-` reads standard input")
    parser.add_argument("--exclude", action="append", default=[], metavar="PATTERN",
                        help="skip files and folders matching this gitignore-style pattern "
                             "(repeatable; comma-separated lists too)")
    parser.add_argument("--no-respect-gitignore", dest="gitignore", action="store_false",
                        help="also read what .gitignore files ignore")
    parser.add_argument("--select", metavar="RULES",
                        help="only these rule ids (comma-separated; see `--list-rules`)")
    parser.add_argument("--ignore", metavar="RULES", help="skip these rule ids (comma-separated)")
    parser.add_argument("--list-rules", action="store_true",
                        help="print the rule ids with a line of description each, and exit")
    parser.add_argument("--stdin-filename", default="-", metavar="NAME",
                        help="the name standard input is reported under (`.ipynb`: a notebook)")
    parser.add_argument("--color", choices=["auto", "always", "never"], default="auto",
                        help="colour the diff and the rule ids: auto (default) on a terminal "
                             "unless NO_COLOR is set, always, or never")
    parser.add_argument("--no-prefilter", dest="prefilter", action="store_false",
                        help="in folders, also parse the files that never mention Keras "
                             "(a module that gets Keras names through a star import)")
    parser.add_argument("--no-cache", dest="cache", action="store_false",
                        help="neither read nor write the cache of results (files unchanged "
                             "since the last run are not checked again)")
    parser.add_argument("-j", "--jobs", type=_positive, default=None, metavar="N",
                        help=_JOBS_HELP)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"invalid value for -j/--jobs: {value!r}; expected a "
                                         "whole number >= 1")
    return number


def version_line() -> str:
    """``kfitcompat 0.1.0 (Keras 3.15.1, TensorFlow 2.21.0)``, read from the installed
    distributions (nothing is imported)."""
    from importlib import metadata

    from ._version import __version__

    def installed(*names: str) -> str | None:
        for name in names:
            try:
                return metadata.version(name)
            except metadata.PackageNotFoundError:
                continue
        return None

    keras = installed("keras")
    tensorflow = installed("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tf-nightly",
                           "tensorflow-macos", "tensorflow-intel")
    return (f"kfitcompat {__version__} (Keras {keras or 'not installed'}, "
            f"TensorFlow {tensorflow or 'not installed'})")


def _list_rules() -> int:
    from .migrate.base import REGISTRY, WHOLE_MODULE_RULES
    from .migrate.descriptions import DESCRIPTIONS
    from .migrate.notes import NOTE_RULE

    families = {**REGISTRY.rules, **{r: "module" for r in WHOLE_MODULE_RULES},
                NOTE_RULE: "notes"}
    for rule, family in sorted(families.items()):
        print(f"{rule}\t{family}\t{DESCRIPTIONS.get(rule, '')}")
    return 0


def _tensorflow_installed() -> bool:
    """Whether TensorFlow is there; if not, says what to install in one line on stderr."""
    try:
        from . import _tensorflow  # noqa: F401
    except ImportError as exc:
        print(exc, file=sys.stderr)
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    """Run a subcommand; returns the process exit status (2 for usage errors)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["demo"]:
        if not {"-h", "--help"} & set(argv[1:]) and not _tensorflow_installed():
            return 2
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        from .demo import main as demo_main

        return demo_main(argv[1:])
    if argv[:1] == ["convert"]:  # its own parser: kfitcompat/saving/convert.py
        from .saving.convert import main as convert_main

        return convert_main(argv[1:])
    if argv[:1] == ["run"] and len(argv) > 1 and argv[1] not in ("-h", "--help"):
        if not _tensorflow_installed():
            return 2
        from .run import run_script

        if argv[1] == "-m":
            if len(argv) < 3:
                print("kfitcompat run: -m needs a module name", file=sys.stderr)
                return 2
            return run_script(argv[2], argv[3:], module=True)
        return run_script(argv[1], argv[2:])
    try:
        return _main(argv)
    except BrokenPipeError:  # `kfitcompat check . | head`: the reader has gone
        _quiet_stdout()
        return 141  # 128 + SIGPIPE, as a program killed by the closed pipe
    except KeyboardInterrupt:
        print("kfitcompat: interrupted", file=sys.stderr)
        return 130


def _quiet_stdout() -> None:
    """Point standard output at /dev/null: the interpreter's last flush must not fail
    again on the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # not a file descriptor (captured output): nothing will be flushed to it


def _main(argv: list[str]) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.command is None and not args.version:
        _parser().print_usage(sys.stderr)
        print("kfitcompat: a command is required (demo, run, check, migrate, version)",
              file=sys.stderr)
        return 2
    if args.command == "version" or args.version:
        print(version_line())
        return 0
    try:
        import libcst  # noqa: F401
        import pathspec  # noqa: F401
    except ImportError as exc:
        print(f"kfitcompat: check/migrate need {exc.name}: pip install \"kfitcompat[migrate]\"",
              file=sys.stderr)
        return 2
    if args.list_rules:
        return _list_rules()
    if not args.paths:
        print(f"kfitcompat {args.command}: give at least one PATH (a file, a folder, or - for "
              "standard input)", file=sys.stderr)
        return 2
    from .cli_run import run_command

    return run_command(args, _painter(args.color))


_ANSI = {"+": "\033[32m", "-": "\033[31m", "@": "\033[36m", "rule": "\033[1;33m"}
_RESET = "\033[0m"


def _painter(color: str) -> Any:
    """``paint(kind, text)``: ``text`` in the colour of ``kind``, or as it is.

    ``auto`` colours only a terminal and never when ``NO_COLOR`` is set (no-color.org);
    ``always`` / ``never`` decide regardless of both.
    """
    on = color == "always" or (color == "auto" and sys.stdout.isatty()
                               and not os.environ.get("NO_COLOR"))

    def paint(kind: str, text: str) -> str:
        return f"{_ANSI[kind]}{text}{_RESET}" if on and kind in _ANSI else text

    return paint
