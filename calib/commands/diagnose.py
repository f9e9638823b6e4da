"""``calib diagnose CONFIG``: distances of the persona population to the reference."""

from __future__ import annotations

import argparse

from calib.commands._pipeline_args import add_config_arguments, config_from_args
from calib.pipeline import run_diagnose


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``diagnose`` subcommand."""
    parser = subparsers.add_parser(
        "diagnose",
        help="distances of the personas to the reference (writes diagnostics.csv)",
        description="Total variation and Hellinger distances of every 1-way and 2-way margin "
        "of the (unweighted) personas to the reference. Writes diagnostics.csv in the output "
        "folder. See 'calib run --help' for the configuration.",
    )
    add_config_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write and print the diagnostics."""
    cfg = config_from_args(args)
    diag = run_diagnose(cfg)
    print(diag.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print(f"wrote {cfg.output.dir / 'diagnostics.csv'}")
    return 0
