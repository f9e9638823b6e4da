"""``calib correct CONFIG``: raw, weighted and bias-corrected estimates of each question."""

from __future__ import annotations

import argparse

from calib.commands._pipeline_args import add_config_arguments, config_from_args
from calib.pipeline import run_correct
from calib.pipeline.run import estimates_wide


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``correct`` subcommand."""
    parser = subparsers.add_parser(
        "correct",
        help="raw, weighted and corrected estimates (writes estimates.csv)",
        description="Estimate every [[questions]] entry from the personas' answers (raw and "
        "weighted with weights.csv if present) and correct it with the gold sample (PPI / "
        "PPI++). Writes estimates.csv. See 'calib run --help' for the configuration.",
    )
    add_config_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write and print the estimates."""
    cfg = config_from_args(args)
    table = run_correct(cfg)
    wide = estimates_wide(table.to_frame(cfg.correction.alpha))
    print(wide.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print(f"wrote {cfg.output.dir / 'estimates.csv'}")
    return 0
