"""The ``kfitcompat`` command (also ``python -m kfitcompat``)."""

from __future__ import annotations

import argparse
import os
import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run a subcommand; returns the process exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="kfitcompat",
        description="Run legacy Keras 1/2 training code on TensorFlow + Keras 3.",
    )
    parser.add_argument("command", choices=["demo", "version"],
                        help="demo: train a Keras 2-style script on generated data")
    args, rest = parser.parse_known_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if args.command == "version":
        from . import __version__

        print(__version__)
        return 0
    from .demo import main as demo_main

    return demo_main(rest)
