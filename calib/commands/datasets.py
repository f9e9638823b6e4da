"""``calib datasets``: list bundled tables and locally available raw datasets."""

from __future__ import annotations

import argparse

from calib.datadir import shared_data_dir


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``datasets`` subcommand."""
    parser = subparsers.add_parser(
        "datasets", help="list bundled and locally available datasets with their provenance"
    )
    parser.add_argument(
        "--data-dir", help="raw data directory (default: $CALIB_DATA_DIR or ../shared/data)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the raw data directory and the datasets found in it."""
    base = shared_data_dir(args.data_dir, required=False)
    print(f"raw data directory: {base if base else '(none found)'}")
    if base:
        for folder in sorted(p for p in base.iterdir() if p.is_dir()):
            print(f"  {folder.name}")
    return 0
