"""``calib demo``: the main job on the bundled recorded silicon sample (no network, no setup)."""

from __future__ import annotations

import argparse

from calib.commands._pipeline_args import log
from calib.pipeline.demo import TIERS, format_tier, run_demo


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``demo`` subcommand."""
    parser = subparsers.add_parser(
        "demo",
        help="run the pipeline on the bundled silicon sample (four persona tiers)",
        description="Diagnose each persona tier of the bundled recorded silicon sample (400 "
        "LLM personas answering Pew's December 2013 questions) against the real population, "
        "rake it to the reference, correct its answers with a gold sample of 300 real "
        "respondents (PPI++), print a table per tier and write an HTML report.",
    )
    parser.add_argument(
        "--out", metavar="DIR", default="calib-demo", help="output folder (default: calib-demo)"
    )
    parser.add_argument(
        "--tiers",
        default=",".join(TIERS),
        help=f"comma-separated tiers to run (default: {','.join(TIERS)})",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the demo and print a table per tier."""
    tiers = [t.strip() for t in args.tiers.split(",") if t.strip()]
    result = run_demo(args.out, tiers, progress=False if args.no_progress else None, log=log)
    for tier, res in result.results.items():
        print(format_tier(tier, res))
        print()
    print(f"report: {result.report}")
    return 0
