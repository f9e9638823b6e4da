"""``calib report CONFIG``: the HTML report (and JSON) from the output folder's files."""

from __future__ import annotations

import argparse

from calib.commands._pipeline_args import add_config_arguments, config_from_args
from calib.pipeline import run_report


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``report`` subcommand."""
    parser = subparsers.add_parser(
        "report",
        help="write report.html and report.json from a finished run",
        description="Build the self-contained HTML report (figures embedded) and its JSON twin "
        "from diagnostics.csv, weights.csv, weighting.json and estimates.csv in the output "
        "folder. See 'calib run --help' for the configuration.",
    )
    add_config_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the report."""
    cfg = config_from_args(args)
    path = run_report(cfg)
    print(f"report: {path}")
    return 0
