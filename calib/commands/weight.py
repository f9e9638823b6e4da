"""``calib weight CONFIG``: reweight the personas to the reference."""

from __future__ import annotations

import argparse

from calib.commands._pipeline_args import add_config_arguments, config_from_args
from calib.pipeline import run_weight


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``weight`` subcommand."""
    parser = subparsers.add_parser(
        "weight",
        help="reweight the personas (writes weights.csv, weighting.json)",
        description="Rake the personas to the reference margins of [weighting]. Writes "
        "weights.csv, weighting.json and the weighted rows of diagnostics.csv. See "
        "'calib run --help' for the configuration.",
    )
    add_config_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write and summarise the weights."""
    cfg = config_from_args(args)
    _, info = run_weight(cfg)
    for key, value in info.items():
        if key != "settings":
            print(f"{key:<14}{value}")
    print(f"wrote {cfg.output.dir / 'weights.csv'}")
    return 0
