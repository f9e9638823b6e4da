"""``calib run CONFIG``: the whole pipeline (diagnose, weight, correct, report) on your files."""

from __future__ import annotations

import argparse

from calib.commands._pipeline_args import add_config_arguments, config_from_args, log
from calib.pipeline import STEPS, run_pipeline

EPILOG = """\
Configuration (TOML; relative paths are relative to the file):

  [population]  path (CSV/Parquet), variables (standard names), id_column, weight, filter
  [reference]   path, kind = "joint" (variable columns + value), "margins"
                (columns variable, level, value) or "pums" (ACS PUMS psam_p*.csv/.zip,
                weighted by PWGTP; states = ["MA"] optional), value = "share"
  [weighting]   method = "raking" | "none", margins = [["sex", "age_pew6"], ["region"]],
                bounds = [0.1, 10.0]
  [gold]        path, format = "cells" (question, cell variables, answer, count) or "rows",
                cell = ["sex", "age_pew6"]
  [[questions]] name, column (persona answers), level, among = [...], gold (question/column)
  [correction]  method = "ppi++" | "ppi" | "hierarchical_bayes" (PyMC) | "none",
                smoothing (cell predictions), alpha; for hierarchical_bayes: draws, tune,
                target_accept, seed
  [truth]       path (question, level, value) - optional real values to compare with
  [output]      dir, seed, title

Writes diagnostics.csv, weights.csv, weighting.json, estimates.csv, provenance.json,
report.html and report.json into the output folder. Each step is also its own command
(calib diagnose|weight|correct|report CONFIG) so steps can be rerun.

Example: calib run data/demo/demo.toml --out my-output
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``run`` subcommand."""
    parser = subparsers.add_parser(
        "run",
        help="run the whole pipeline from a TOML configuration",
        description="Diagnose, reweight and bias-correct a persona population, then write the "
        "HTML report.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_arguments(parser)
    parser.add_argument(
        "--steps",
        default=",".join(STEPS),
        help=f"comma-separated subset of {','.join(STEPS)} (default: all)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the configured steps and print the estimates."""
    cfg = config_from_args(args)
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    result = run_pipeline(cfg, steps, log=log)
    table = result.table()
    if not table.empty:
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    if "report" in steps and cfg.output.report:
        print(f"report: {cfg.output.dir / 'report.html'}")
    print(f"outputs: {cfg.output.dir}")
    return 0
