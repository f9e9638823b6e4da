"""Arguments and helpers shared by the pipeline subcommands (run, diagnose, weight, correct,
report)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from calib.pipeline import PipelineConfig, load_config

CONFIG_HELP = (
    "pipeline configuration (TOML): [population], [reference], [weighting], [gold], "
    "[[questions]], [correction], [output]; see 'calib run --help' and data/demo/demo.toml"
)


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    """CONFIG positional and --out option."""
    parser.add_argument("config", metavar="CONFIG", help=CONFIG_HELP)
    parser.add_argument(
        "--out", metavar="DIR", help="output folder (default: [output] dir of the configuration)"
    )


def config_from_args(args: argparse.Namespace) -> PipelineConfig:
    """Load the configuration and apply --out."""
    cfg = load_config(args.config)
    if getattr(args, "out", None):
        cfg = replace(cfg, output=replace(cfg.output, dir=Path(args.out)))
    return cfg


def log(message: str) -> None:
    """Progress line on standard error."""
    print(f"calib: {message}", file=sys.stderr, flush=True)
