"""``calib datasets``: list bundled tables and locally available raw datasets with provenance."""

from __future__ import annotations

import argparse
import json

from calib.datadir import shared_data_dir
from calib.sources.catalog import dataset_catalog


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``datasets`` subcommand."""
    parser = subparsers.add_parser(
        "datasets", help="list bundled and locally available datasets with their provenance"
    )
    parser.add_argument(
        "--data-dir", help="raw data directory (default: $CALIB_DATA_DIR or ../shared/data)"
    )
    parser.add_argument("--json", action="store_true", help="print the catalogue as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the catalogue: bundled tables first, then raw datasets and whether they are here."""
    table = dataset_catalog(args.data_dir)
    if args.json:
        print(json.dumps(table.to_dict(orient="records"), indent=2))
        return 0
    base = shared_data_dir(args.data_dir, required=False)
    print(f"raw data directory: {base if base else '(none found; set CALIB_DATA_DIR)'}")
    for kind, group in table.groupby("kind", sort=False):
        print(f"\n{kind}:")
        for row in group.itertuples():
            mark = "yes" if row.present else "no "
            print(f"  [{mark}] {row.name}: {row.title}")
            details = [f"source: {row.source}" if row.source else "",
                       f"vintage: {row.vintage}" if row.vintage else "",
                       f"licence: {row.licence}" if row.licence else "",
                       f"reader: {row.reader}" if row.reader else ""]  # fmt: skip
            text = "; ".join(d for d in details if d)
            if text:
                print(f"        {text}")
    return 0
