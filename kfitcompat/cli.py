"""The ``kfitcompat`` command (also ``python -m kfitcompat``).

* ``kfitcompat run script.py [args...]`` (or ``run -m module``): run a legacy script
  unmodified with ``kfitcompat.install()`` in effect.
* ``kfitcompat demo``: train a Keras 2-style script on an embedded image dataset.
* ``kfitcompat check PATH...``: list legacy Keras training code; exit 1 if any is found.
* ``kfitcompat migrate PATH... [--diff | --write] [--target keras3|kfitcompat]``.
* ``kfitcompat convert OLD.h5 NEW.keras [--weights-only]``: a legacy model file as a native
  Keras 3 file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kfitcompat",
        description="Run legacy Keras 1/2 training code on TensorFlow + Keras 3, or migrate it.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("demo", help="train a Keras 2-style script on generated images",
                   add_help=False)
    run = sub.add_parser("run", help="run a legacy script unmodified under kfitcompat.install()",
                         usage="kfitcompat run script.py [args ...] | -m module [args ...]")
    run.add_argument("script", help="the script (as `python script.py`), or -m MODULE")
    run.add_argument("args", nargs=argparse.REMAINDER, help="passed to the script as sys.argv")
    sub.add_parser("version", help="print the version")
    sub.add_parser("convert", help="write a Keras 1/2 or tf.keras .h5 file as a Keras 3 file",
                   add_help=False, usage="kfitcompat convert OLD.h5 NEW.keras [--weights-only]")
    check = sub.add_parser("check", help="report legacy Keras calls (exit 1 if any)")
    _source_options(check)
    check.add_argument("--format", choices=["text", "json"], default="text",
                       help="text: one line per finding (default); json: for tools")
    migrate = sub.add_parser("migrate", help="rewrite legacy Keras calls")
    _source_options(migrate)
    mode = migrate.add_mutually_exclusive_group()
    mode.add_argument("--diff", action="store_true", help="print a diff (the default)")
    mode.add_argument("--write", action="store_true", help="rewrite the files in place")
    migrate.add_argument("--check", action="store_true",
                         help="with --diff: exit 1 if any file would change (as black --check)")
    migrate.add_argument("--target", choices=["keras3", "kfitcompat"], default="keras3",
                         help="keras3: native Keras 3 code (default); kfitcompat: the minimal "
                              "edit, `kfitcompat.install()`")
    migrate.add_argument("--augment-layers", action="store_true",
                         help="translate ImageDataGenerator into Keras 3 preprocessing layers "
                              "and tf.data where every argument has a counterpart")
    return parser


def _source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH",
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
                        help="print the rule ids and exit")
    parser.add_argument("--stdin-filename", default="-", metavar="NAME",
                        help="the name standard input is reported under (`.ipynb`: a notebook)")
    parser.add_argument("--color", choices=["auto", "always", "never"], default="auto",
                        help="colour the diff and the rule ids: auto (default) on a terminal "
                             "unless NO_COLOR is set, always, or never")


def _rule_selection(args: argparse.Namespace) -> Any:
    """The ``--select`` / ``--ignore`` rule ids, checked against the registry.

    Raises:
        ValueError: an id no rule has, named with the known ones.
    """
    from .migrate.base import REGISTRY, WHOLE_MODULE_RULES, RuleSelection

    known = set(REGISTRY.rules) | set(WHOLE_MODULE_RULES)
    chosen = {}
    for option in ("select", "ignore"):
        value = getattr(args, option)
        ids = {r.strip() for r in value.split(",") if r.strip()} if value else None
        unknown = sorted((ids or set()) - known)
        if unknown:
            raise ValueError(f"kfitcompat: unknown rule id(s) {', '.join(unknown)} in "
                             f"--{option}; the rule ids are: {', '.join(sorted(known))}")
        chosen[option] = ids
    return RuleSelection(None if chosen["select"] is None else frozenset(chosen["select"]),
                         frozenset(chosen["ignore"] or ()))


def _list_rules() -> int:
    from .migrate.base import REGISTRY, WHOLE_MODULE_RULES

    for rule, family in sorted(REGISTRY.rules.items()):
        print(f"{rule}\t{family}")
    for rule in WHOLE_MODULE_RULES:
        print(f"{rule}\tmodule")
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
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.command is None and not args.version:
        _parser().print_usage(sys.stderr)
        print("kfitcompat: a command is required (demo, run, check, migrate, version)",
              file=sys.stderr)
        return 2
    if args.command == "version" or args.version:
        from ._version import __version__

        print(__version__)
        return 0
    try:
        import libcst  # noqa: F401
        import pathspec  # noqa: F401
    except ImportError as exc:
        print(f"kfitcompat: check/migrate need {exc.name}: pip install \"kfitcompat[migrate]\"",
              file=sys.stderr)
        return 2
    from .migrate import iter_source_files, process_file, process_text

    if args.list_rules:
        return _list_rules()
    try:
        rules = _rule_selection(args)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    exclude = [p.strip() for value in args.exclude for p in value.split(",") if p.strip()]
    stdin = "-" in args.paths
    try:
        files = list(iter_source_files([p for p in args.paths if p != "-"], exclude,
                                       args.gitignore))
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 2
    rewrite = args.command == "migrate"
    target = getattr(args, "target", "keras3")
    augment = bool(getattr(args, "augment_layers", False))
    results = [process_file(path, target, rewrite, augment, rules) for path in files]
    if stdin:
        results.append(process_text(sys.stdin.read(), args.stdin_filename, target, rewrite,
                                    augment, rules))
    paint = _painter(args.color)
    if args.command == "check":
        return _report(results, args.format, paint)
    return _migrate(results, args.write, args.check, stdin_name=args.stdin_filename
                    if stdin else None, paint=paint)


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


def _paint_diff(diff: str, paint: Any) -> str:
    lines = diff.splitlines(keepends=True)
    out = []
    for line in lines:
        body, end = (line[:-1], "\n") if line.endswith("\n") else (line, "")
        kind = line[:1] if not line.startswith(("+++", "---")) else ""
        out.append(paint(kind, body) + end)
    return "".join(out)


def _report(results: list[Any], fmt: str, paint: Any = None) -> int:
    paint = paint or _painter("never")
    rows = [dict(location=where, **f.as_dict()) for r in results for where, f in r.findings]
    errors = [e for r in results for e in r.errors]
    notes = [n for r in results for n in r.notes]
    if fmt == "json":
        print(json.dumps({"findings": rows, "errors": errors, "notes": notes}, indent=2))
    else:
        for row in rows:
            print(f"{row['location']}:{row['line']}:{row['col']}: "
                  f"[{paint('rule', row['rule'])}] "
                  f"{row['message']}. Fix: {row['fix']}")
        for error in errors:
            print(error)
        for note in notes:
            print(f"note: {note}")
        print(f"{len(rows)} legacy use(s) in {sum(1 for r in results if r.findings)} of "
              f"{len(results)} file(s); {len(errors)} file(s) or cell(s) not parsed.")
    return 1 if rows or errors else 0


def _migrate(results: list[Any], write: bool, check: bool = False,
             stdin_name: str | None = None, paint: Any = None) -> int:
    """Write or diff the results; standard input's (the last, named ``stdin_name``) goes to
    standard output: the new source with ``--write``, as black does, else its diff."""
    changed = [r for r in results if r.changed]
    if stdin_name is not None and write:
        sys.stdout.write(results[-1].new)
        changed = [r for r in changed if r is not results[-1]]
    for r in changed:
        if write:
            with open(r.path, "w", encoding="utf-8") as f:
                f.write(r.new)
        else:
            sys.stdout.write(_paint_diff(r.diff(), paint or _painter("never")))
    done = sum(1 for r in results for _, f in r.findings if f.changed)
    manual = sum(1 for r in results for _, f in r.findings if not f.changed)
    for r in results:
        for error in r.errors:
            print(error, file=sys.stderr)
        for note in r.notes:
            print(f"note: {note}", file=sys.stderr)
    verb = "rewrote" if write else "would rewrite"
    print(f"kfitcompat migrate: {verb} {done} legacy use(s) in {len(changed)} file(s); "
          f"{manual} left as they are (run by kfitcompat.install() with --target kfitcompat, "
          f"or marked with a `# kfitcompat:` comment for a manual check).", file=sys.stderr)
    return 1 if check and changed else 0
