"""The ``calib`` command: a thin layer that parses arguments and calls the library.

Each subcommand lives in its own module under :mod:`calib.commands` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` to a callable taking the parsed
arguments and returning an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from calib import __version__
from calib.errors import CalibError

#: Subcommand modules, in the order ``calib --help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "datasets",
    "demo",
    "run",
    "diagnose",
    "weight",
    "correct",
    "report",
    "simulate",
)


def build_parser() -> argparse.ArgumentParser:
    """The top-level argument parser with every available subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="calib",
        description="Diagnose, reweight and bias-correct LLM silicon samples.",
    )
    parser.add_argument("--version", action="version", version=f"calib {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"calib.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``calib`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except CalibError as err:
        print(f"calib {args.command}: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"calib {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
